import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { UserView } from '../../users/dto/user.view';

export class LoginDto {
  @ApiProperty({ example: 'senco@example.org' })
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'must be an email address' })
  email: string;

  @ApiProperty({ example: 'demo-password-2026' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password: string;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  currentPassword: string;

  @ApiProperty({ description: '12 to 128 characters, not a common password' })
  @IsString()
  @MaxLength(256)
  newPassword: string;
}

export class TokenView {
  @ApiProperty({ description: 'Send as Authorization: Bearer <accessToken>' })
  accessToken: string;

  @ApiProperty({ example: 900, description: 'Seconds until the token expires' })
  expiresIn: number;

  @ApiProperty({ type: UserView })
  user: UserView;
}
